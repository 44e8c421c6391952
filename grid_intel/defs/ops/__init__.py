"""Operations: schedules for retraining, scoring and late data."""
