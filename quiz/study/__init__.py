"""Self-study: quizzes with instant feedback, results, and progress per concept."""
