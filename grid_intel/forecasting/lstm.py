"""An LSTM on the CPU (PyTorch, the optional `lstm` extra): a window of the last two
days and its calendar in, every lead of the horizon out at once (direct, so errors do
not compound step by step). Quantiles come from its backtest errors.

Small on purpose: one layer of 32 units, trained for a fixed number of epochs on
sliding windows of the last eight weeks, seeded so a re-run gives the same forecast.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from datetime import timedelta

import numpy as np

from grid_intel.forecasting.features import calendar
from grid_intel.forecasting.prediction import Prediction
from grid_intel.forecasting.series import ForecastInputError, Series

TRAIN_WEEKS = 8
WINDOW_DAYS = 2
HIDDEN = 32
EPOCHS = 20
MAX_WINDOWS = 768  # training windows, evenly spread (the newest always in)
BATCH = 64
SEED = 0


def available() -> bool:
    """Whether the extra is installed, without importing torch (seconds) at start-up."""
    return importlib.util.find_spec("torch") is not None


def _inputs(y: np.ndarray, ts: np.ndarray) -> np.ndarray:
    """Per time: the scaled value and the smooth time of day and week."""
    cal = calendar(ts)
    return np.column_stack(
        [y, cal["tod_sin"], cal["tod_cos"], cal["week_sin"], cal["week_cos"], cal["holiday"]]
    ).astype(np.float32)


def fit_predict(
    s: Series,
    steps: int,
    levels: Sequence[float],
    covariates: dict[str, np.ndarray] | None = None,
) -> Prediction:
    import torch

    torch.manual_seed(SEED)
    torch.set_num_threads(2)
    window = WINDOW_DAYS * s.per(timedelta(days=1))
    n = min(s.y.size, TRAIN_WEEKS * s.per(timedelta(days=7)))
    y, ts = s.y[-n:], s.ts[-n:]
    mean, std = float(y.mean()), float(y.std()) or 1.0
    x = _inputs((y - mean) / std, ts)
    starts = np.arange(0, n - window - steps + 1)
    if starts.size < 8:
        raise ForecastInputError(
            f"the LSTM needs {WINDOW_DAYS} days of history plus the horizon, several times over"
        )
    starts = starts[np.unique(np.linspace(0, starts.size - 1, MAX_WINDOWS).round().astype(int))]
    xs = torch.from_numpy(np.stack([x[i : i + window] for i in starts]))
    ys = torch.from_numpy(
        np.stack([((y[i + window : i + window + steps] - mean) / std) for i in starts]).astype(
            np.float32
        )
    )

    class Net(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lstm = torch.nn.LSTM(x.shape[1], HIDDEN, batch_first=True)
            self.head = torch.nn.Linear(HIDDEN, steps)

        def forward(self, batch: torch.Tensor) -> torch.Tensor:
            out, _ = self.lstm(batch)
            return self.head(out[:, -1])

    net = Net()
    opt = torch.optim.Adam(net.parameters(), lr=0.005)
    gen = torch.Generator().manual_seed(SEED)
    for _ in range(EPOCHS):
        for idx in torch.randperm(len(starts), generator=gen).split(BATCH):
            opt.zero_grad()
            loss = torch.nn.functional.l1_loss(net(xs[idx]), ys[idx])
            loss.backward()
            opt.step()
    with torch.no_grad():
        last = torch.from_numpy(x[-window:][None])
        point = net(last).numpy()[0] * std + mean
    return Prediction(point.astype(float))
