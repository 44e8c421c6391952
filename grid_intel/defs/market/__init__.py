"""Market: LMP forecasts, price signals with supply curves, and the signals' backtest."""
