from ninja import Router

from .evidence_api import router as evidence_router
from .insight_api import router as insight_router

router = Router(tags=["reports"])
router.add_router("/", evidence_router)
router.add_router("/", insight_router)
