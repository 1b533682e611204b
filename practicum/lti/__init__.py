"""LTI 1.3 (Advantage) tool: launches from an LMS, deep linking, grades and rosters (issue 15).

The blueprint lives in lti.views, so the services (grades, rosters) import without the routes.
"""
