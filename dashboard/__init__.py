"""The Streamlit dashboard (entry script ``dashboard/app.py``; pages in ``app_pages/``)."""
