"""What several test modules share: fixtures' building blocks, clients' steps, real servers, barriers."""
