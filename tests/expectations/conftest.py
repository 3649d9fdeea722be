import os

os.environ["GX_ANALYTICS_ENABLED"] = "false"
