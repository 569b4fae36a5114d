/// The dashboard served at `GET /` (docs/api.md): HTML, CSS and script in one string, so
/// an installed `p2pd` needs no files beside it and the page loads nothing from elsewhere.
enum DashboardPage {
    static let html = """
    <!doctype html><title>p2pstore</title>
    """
}
