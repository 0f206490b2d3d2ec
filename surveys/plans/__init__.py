"""Plans: plan files, editing a plan (organisations, target groups, goals, channels, activities) and reach figures."""
