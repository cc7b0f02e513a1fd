// Markup as text: escaping for HTML (and the SVG inside it), and a writer that opens and closes
// elements in order, so a page or chart is built without hand-written tags or unescaped text.
#pragma once
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace retrain {

// `text` with & < > " ' replaced by their character references: safe as element text and as a quoted
// attribute value, in HTML and in SVG.
std::string escape_html(std::string_view text);

// The href of `target` from a page in `page_dir`: relative when both are on one tree, each byte
// outside [A-Za-z0-9-._~/] percent-encoded (a path with spaces or '#' stays one link).
std::string file_href(const std::filesystem::path& page_dir, const std::filesystem::path& target);

using HtmlAttributes = std::vector<std::pair<std::string, std::string>>;

class HtmlWriter {
 public:
  // <tag name="value" ...>, values escaped; the element stays open until close().
  HtmlWriter& open(std::string_view tag, const HtmlAttributes& attributes = {});
  // Closes the innermost open element; std::logic_error when none is open.
  HtmlWriter& close();
  // Escaped text inside the current element.
  HtmlWriter& text(std::string_view text);
  // Markup made by another writer (a chart), inserted as it is.
  HtmlWriter& markup(std::string_view markup);
  // open + text + close.
  HtmlWriter& element(std::string_view tag, const HtmlAttributes& attributes, std::string_view text);
  // An element without content or end tag (img, meta, br).
  HtmlWriter& empty(std::string_view tag, const HtmlAttributes& attributes = {});
  // The markup; std::logic_error naming the elements still open.
  std::string finish() const;

 private:
  void start_tag(std::string_view tag, const HtmlAttributes& attributes);
  std::string out_;
  std::vector<std::string> open_;
};

}  // namespace retrain
