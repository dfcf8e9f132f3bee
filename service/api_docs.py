"""The API documentation at ``/schema``: Swagger UI served from the installed ``swagger-ui-bundle`` package, so the
page works without internet (Litestar's default pages load their scripts and fonts from CDNs)."""

from __future__ import annotations

from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.router import Router
from litestar.static_files import create_static_files_router
from swagger_ui_bundle import swagger_ui_path

from service.reports.auth import REGULATOR_TOKEN

ASSETS = "/schema/assets"


def openapi_config() -> OpenAPIConfig:
    swagger = SwaggerRenderPlugin(
        path=["/", "/swagger"], js_url=f"{ASSETS}/swagger-ui-bundle.js", css_url=f"{ASSETS}/swagger-ui.css",
        standalone_preset_js_url=f"{ASSETS}/swagger-ui-standalone-preset.js",
        favicon=f'<link rel="icon" type="image/png" href="{ASSETS}/favicon-32x32.png">')
    return OpenAPIConfig(
        title="stemclaim", version="1", path="/schema", render_plugins=[swagger],
        description="How far a page overclaims stem-cell therapy for MS.",
        components=Components(security_schemes={REGULATOR_TOKEN: SecurityScheme(
            type="http", scheme="bearer", description="A regulator's token from `stemclaim tokens create`")}))


def assets_router() -> Router:
    return create_static_files_router(path=ASSETS, directories=[swagger_ui_path], include_in_schema=False)
