"""A compromise model that takes its time and logs each call: lets a test kill a Dask worker
while it is busy with a chunk, and count how often chunks ran."""

from __future__ import annotations

import os
import time

from pydantic import Field

from detente.models.compromise import CompromiseModel, CompromiseOptions


class SlowOptions(CompromiseOptions):
    delay: float = Field(0.0, ge=0, description="seconds to sleep in each forecast_batch call")
    log: str = Field("", description="file to append one line per call to (pid and draws)")


class SlowCompromise(CompromiseModel):
    name = "slow-compromise"
    title = "Compromise, slowly"
    Options = SlowOptions

    def forecast_batch(self, batch):
        if self.options.log:
            with open(self.options.log, "a") as log:
                log.write(f"{os.getpid()} {batch.size}\n")
        time.sleep(self.options.delay)
        return super().forecast_batch(batch)
