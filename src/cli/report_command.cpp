// `retrain report RUN|SWEEP [--out FILE.html]`: the self-contained HTML page of a run or a sweep.
#include <iostream>

#include "commands.hpp"
#include "retrain/report/html_report.hpp"

namespace retrain::cli {

int report_command(const std::string& dir, const std::optional<std::string>& out) {
  const auto page = out ? write_report(dir, std::filesystem::path(*out)) : write_report(dir);
  std::cout << page.string() << "\n";
  return 0;
}

}  // namespace retrain::cli
