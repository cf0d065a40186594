"""Documents generated from templates (issue 7): the quality manual, SOP skeletons, CAPA, NCR
and supplier audit reports, per market (NMPA, FDA, EU), filled from live data and printed to
PDF with Chinese fonts, each generation recorded (documents.models.GeneratedDocument).

registry     the templates: markets, subject, permission, builder
content      what a document says, rendered to HTML (PDF) and Markdown
services     generate(), take_in() as a controlled document's first draft
selectors    the generations a user may see
"""
