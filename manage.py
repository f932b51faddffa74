#!/usr/bin/env python
from healthedu.cli import main

if __name__ == "__main__":
    main()
