"""Operations: backups, retention (gallring) and moving data between database engines."""
