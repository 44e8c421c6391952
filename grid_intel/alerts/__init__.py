"""Alert subscriptions by webhook: the rules (`webhooks`) and the delivery worker
(`delivery`) that carries grid.alerts to subscribers."""
