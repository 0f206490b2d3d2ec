"""Pure numbers: estimates, tests, goal status and disclosure control. No web, database, rendering or i18n."""
