"""sora_nb's version, at the bottom of the layers so any module may read it (the client's
User-Agent does) without importing the package face."""

__version__ = "0.1.0"
