// HTML escaping, file links and the element writer of html_writer.hpp.
#include "retrain/report/html_writer.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace retrain {

namespace fs = std::filesystem;

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string file_href(const fs::path& page_dir, const fs::path& target) {
  const fs::path from = fs::weakly_canonical(fs::absolute(page_dir));
  const fs::path to = fs::weakly_canonical(fs::absolute(target));
  const fs::path relative = to.lexically_relative(from);
  const std::string path = relative.empty() ? to.string() : relative.generic_string();
  std::string href;
  for (unsigned char c : path) {
    const bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                       c == '.' || c == '_' || c == '~' || c == '/';
    href += plain ? std::string(1, static_cast<char>(c)) : fmt::format("%{:02X}", c);
  }
  return href;
}

void HtmlWriter::start_tag(std::string_view tag, const HtmlAttributes& attributes) {
  out_ += '<';
  out_ += tag;
  for (const auto& [name, value] : attributes) out_ += fmt::format(" {}=\"{}\"", name, escape_html(value));
  out_ += '>';
}

HtmlWriter& HtmlWriter::open(std::string_view tag, const HtmlAttributes& attributes) {
  start_tag(tag, attributes);
  open_.emplace_back(tag);
  return *this;
}

HtmlWriter& HtmlWriter::close() {
  if (open_.empty()) throw std::logic_error("HtmlWriter::close: no element is open");
  out_ += fmt::format("</{}>", open_.back());
  open_.pop_back();
  return *this;
}

HtmlWriter& HtmlWriter::text(std::string_view text) {
  out_ += escape_html(text);
  return *this;
}

HtmlWriter& HtmlWriter::markup(std::string_view markup) {
  out_ += markup;
  return *this;
}

HtmlWriter& HtmlWriter::element(std::string_view tag, const HtmlAttributes& attributes, std::string_view text) {
  return open(tag, attributes).text(text).close();
}

HtmlWriter& HtmlWriter::empty(std::string_view tag, const HtmlAttributes& attributes) {
  start_tag(tag, attributes);
  return *this;
}

std::string HtmlWriter::finish() const {
  if (!open_.empty()) {
    std::string names;
    for (const auto& t : open_) names += (names.empty() ? "" : ", ") + t;
    throw std::logic_error(fmt::format("HtmlWriter::finish: elements still open: {}", names));
  }
  return out_;
}

}  // namespace retrain
