"""Run-failure alerts: a sensor that logs every failed run and POSTs it to a webhook."""
