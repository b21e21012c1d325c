"""Text-matching helpers shared by every extractor: field walking and evidence, keyword
pre-tests, name keys and prefix-trie regexes, synonym syntax and the one-regex vocabulary
matcher."""
