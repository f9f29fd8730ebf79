from ninja import Router

PREFIX = "tiny/"
router = Router(tags=["小应用"])


@router.get("ping")
def ping(request):
    return {"pong": "小应用"}
