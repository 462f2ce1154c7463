"""Analyses built on the models: trajectories, Monte Carlo, sensitivity, what-if, backtests."""
