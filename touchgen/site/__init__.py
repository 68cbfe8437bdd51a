"""The site build: posts and pages to the website, the feeds and the newsletter emails (output/)."""
