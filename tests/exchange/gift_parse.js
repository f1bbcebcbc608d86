#!/usr/bin/env node
// Parse a GIFT file with gift-pegjs, a parser independent of ours, and print
// each question's type, title and text as JSON (categories left out). A syntax
// error prints its line and column to stderr and exits with status 1.
"use strict";

const fs = require("fs");
const path = require("path");

let giftParser;
try {
  giftParser = require(path.join(__dirname, "node_modules", "gift-pegjs"));
} catch (error) {
  process.stderr.write("gift-pegjs is not installed: `make test` installs it\n");
  process.exit(2);
}

const text = fs.readFileSync(process.argv[2], "utf8");
let parsed;
try {
  parsed = giftParser.parse(text);
} catch (error) {
  const where = error.location ? `${error.location.start.line}:${error.location.start.column}: ` : "";
  process.stderr.write(`${where}${error.message}\n`);
  process.exit(1);
}
const questions = parsed
  .filter((item) => item.type !== "Category")
  .map((item) => ({
    type: item.type,
    title: item.title,
    embedded: Boolean(item.hasEmbeddedAnswers),
    stem: item.stem ? item.stem.text : null,
  }));
process.stdout.write(JSON.stringify(questions) + "\n");
