"""The landing folder's layout: the subfolder each kind of archive file is dropped in.

The simulator writes there and the landing sensor and loads read from there, so the
layout lives here rather than with either of them.
"""

FOLDERS = {
    "weather": "weather",
    "weather_forecasts": "weather_forecasts",
    "miso_da": "miso",
    "miso_rt": "miso",
    "outages": "outages",
    "work_orders": "maintenance",
    "registry": "registry",
    "gis": "gis",
}
