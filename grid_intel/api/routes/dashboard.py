"""The operator dashboard: `/` serves its page, `/static/...` its scripts and styles, and
`/static/vendor/...` the charting library straight from `infra/dashboard/node_modules`
(pinned there by npm; no bundler, no build step)."""

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from grid_intel.settings import project_root

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
VENDOR_DIR = project_root() / "infra" / "dashboard" / "node_modules"
# The only vendor files served: a name in the page -> its path in node_modules.
VENDOR = {"echarts.min.js": "echarts/dist/echarts.min.js"}

router = APIRouter(include_in_schema=False)


@router.get("/")
async def index() -> FileResponse:
    return FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})


@router.get("/static/vendor/{name}")
async def vendor(name: str) -> FileResponse:
    """A pinned library file; 503 until `npm ci` has run, so the page says why it is bare."""
    if name not in VENDOR:
        raise HTTPException(404, f"no vendor file {name!r}")
    path = VENDOR_DIR / VENDOR[name]
    if not path.is_file():
        raise HTTPException(503, f"{name} is not installed: run bash infra/dev.sh setup")
    return FileResponse(path, media_type="text/javascript")


# After the vendor route, so /static/vendor/... never falls through to the package files.
router.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
