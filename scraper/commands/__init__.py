"""The project's own Scrapy commands (COMMANDS_MODULE): search, demo, crawlall, health, detect, … .
Nothing imports them."""
