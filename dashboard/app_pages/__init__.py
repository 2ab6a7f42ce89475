"""Dashboard pages (Streamlit multipage): each imports only dashboard.data for data."""
