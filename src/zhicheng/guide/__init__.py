"""The clerks' guide (使用指南): docs/guide/, one page per role, served by the platform itself so that an office on an
intranet reads it without the internet, linked from every page's footer."""
