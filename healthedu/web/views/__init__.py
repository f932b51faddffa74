"""Page views, one module per area: auth, home, residents, activities, screening, surveys,
ledger, dashboard. Each view translates HTTP to calls of the areas' services and selectors."""
