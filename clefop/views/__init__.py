"""Views of the governance app, one module per subject (workspace, invitations, meetings, documents,
calendar, directory). Later subjects (offre de services) add their own modules."""
