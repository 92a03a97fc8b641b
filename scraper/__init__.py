"""Archive of Vietnam's provincial government news portals: the Scrapy project."""
