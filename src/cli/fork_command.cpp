// `retrain fork RUN --at G --name NEW [--set loop.KEY=V ...]`: share the parent's generations 0..G,
// then run the fork's later generations with the changed keys, and write its report page.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "commands.hpp"
#include "options.hpp"
#include "retrain/core/logging.hpp"
#include "retrain/loop/experiment.hpp"
#include "retrain/loop/fork.hpp"
#include "retrain/report/html_report.hpp"

namespace retrain::cli {

int fork_command(const std::string& parent_dir, std::int64_t at, const CommonOptions& options) {
  const auto parent = std::filesystem::weakly_canonical(parent_dir);
  const Config parent_config = RunDir::open_for_reading(parent).config();
  auto overrides = overrides_from(options);
  if (!options.out) overrides.insert(overrides.begin(), Override{"out", parent.parent_path().string(), true});  // a sibling
  RunDir run = fork_run(parent, at, fork_config(parent_config, at, overrides));
  resume_hint() = fmt::format("`retrain resume {}`", run.path().string());
  set_log_file(run.file("log.txt"));
  run_experiment(run);
  write_report_at_end(run.path());
  spdlog::info("done: the fork of {} at generation {} in {}", parent.string(), at, run.path().string());
  return 0;
}

}  // namespace retrain::cli
