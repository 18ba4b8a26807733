"""Stats benchmark (see campusguard.stats.bench): `python bench/stats.py [--database-url URL]`."""

from campusguard.stats.bench import main

if __name__ == "__main__":
    main()
