// Crash-safe file output: data goes to a temporary sibling, is fsync'ed, then renamed over the target,
// so readers see either the old file or the complete new one, never a torn write.
#pragma once
#include <filesystem>
#include <string>
#include <string_view>

namespace retrain {

// Atomically replace `path` with `bytes` (temp file + fsync + rename + fsync of the directory).
void write_file_atomic(const std::filesystem::path& path, std::string_view bytes);

// Appends `bytes` to `path` (created when missing) and fsyncs it: a crash can leave only a torn end,
// which the readers of such append-only tables drop.
void append_file_durable(const std::filesystem::path& path, std::string_view bytes);

// Whole file into a string; throws std::runtime_error naming the path when it cannot be read.
std::string read_file(const std::filesystem::path& path);

// fsync a directory so a rename inside it survives a power loss.
void fsync_directory(const std::filesystem::path& dir);

// Rename `from` to `to` (same file system) and make the rename durable.
void rename_durable(const std::filesystem::path& from, const std::filesystem::path& to);

}  // namespace retrain
