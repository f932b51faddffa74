"""Page forms: they shape HTML input; the rules behind them are the areas' services."""
