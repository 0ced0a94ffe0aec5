package dev.saestream.serve;

/**
 * The index served when the jar has no web page: an honest list of the API's endpoints, plain HTML
 * with no script or style, so that a browser opened on the server shows where to go.
 */
final class FallbackPage {
    private FallbackPage() {}

    static String html() {
        StringBuilder sb = new StringBuilder("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<title>saestream</title></head><body>\n<h1>saestream</h1>\n"
                + "<p>This build has no web page; the catalogue is served as JSON at these endpoints:</p>\n<ul>\n");
        for (String route : ServeServer.ROUTES) {
            String path = route.substring(route.indexOf(' ') + 1);
            boolean link = route.startsWith("GET ") && !path.contains("{");
            sb.append("<li><code>")
                    .append(route.substring(0, route.indexOf(' ')))
                    .append("</code> ");
            sb.append(
                    link
                            ? "<a href=\"" + path + "\">" + path + "</a>"
                            : "<code>" + path.replace("{", "&#123;") + "</code>");
            sb.append("</li>\n");
        }
        return sb.append("</ul>\n</body></html>\n").toString();
    }
}
