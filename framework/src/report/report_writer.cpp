#include "report/report_writer.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include <Poco/JSON/Stringifier.h>

#include "report/report_error.hpp"

namespace mercurio::report {

namespace {

// A decimal as the reports write one: -?digits[.digits].
bool is_plain_number(std::string_view text) {
  std::size_t i = !text.empty() && text.front() == '-' ? 1 : 0;
  bool digits = false, point = false;
  for (; i < text.size(); ++i) {
    if (text[i] >= '0' && text[i] <= '9') {
      digits = true;
    } else if (text[i] == '.' && !point && digits) {
      point = true;
      digits = false;  // one more digit needed after the point
    } else {
      return false;
    }
  }
  return digits;
}

}  // namespace

std::string csv_field(std::string_view text) {
  // A spreadsheet runs a cell that starts with = + - @ (or a tab or CR) as a formula: a tag, a
  // note or a broker's message could then act in the accountant's sheet. Such text gets a
  // leading ' (the usual neutraliser); numbers, negative ones included, are left as they are.
  const bool formula = !text.empty() &&
                       std::string_view("=+-@\t\r").find(text.front()) != std::string_view::npos &&
                       !is_plain_number(text);
  const bool quote = text.find_first_of(",\"\r\n") != std::string_view::npos ||
                     (!text.empty() && (text.front() == ' ' || text.back() == ' '));
  if (!quote && !formula) return std::string(text);
  std::string out = quote ? "\"" : "";
  if (formula) out += '\'';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return quote ? out + "\"" : out;
}

std::string to_csv(const Table& table) {
  std::string out;
  auto line = [&out](const auto& cells, auto text_of) {
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (i) out += ',';
      out += csv_field(text_of(cells[i]));
    }
    out += '\n';
  };
  line(table.columns, [](const std::string& s) -> std::string_view { return s; });
  for (const auto& row : table.rows) line(row, [](const Cell& c) -> std::string_view { return c ? std::string_view(*c) : ""; });
  return out;
}

Poco::JSON::Object::Ptr ordered_object() { return new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER); }

Poco::JSON::Array::Ptr to_json_rows(const Table& table) {
  Poco::JSON::Array::Ptr rows = new Poco::JSON::Array;
  for (const auto& row : table.rows) {
    auto obj = ordered_object();
    for (std::size_t i = 0; i < table.columns.size(); ++i) {
      const Cell& c = i < row.size() ? row[i] : Cell{};
      if (c)
        obj->set(table.columns[i], *c);
      else
        obj->set(table.columns[i], Poco::Dynamic::Var());  // null
    }
    rows->add(obj);
  }
  return rows;
}

std::string to_json_text(const Poco::JSON::Object::Ptr& object) {
  std::ostringstream out;
  Poco::JSON::Stringifier::stringify(object, out, 2);
  out << '\n';
  return out.str();
}

void write_file_atomically(const std::filesystem::path& path, const std::string& content) {
  const std::filesystem::path target = std::filesystem::absolute(path);
  std::string temp = (target.parent_path() / ("." + target.filename().string() + ".XXXXXX")).string();
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) throw ReportError("cannot write " + path.string() + ": cannot create a temporary file next to it: " + std::strerror(errno));
  auto fail = [&](const char* step) {
    const int err = errno;
    ::close(fd);
    ::unlink(temp.c_str());
    throw ReportError("cannot write " + path.string() + ": " + step + ": " + std::strerror(err));
  };
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("write");
    }
    done += static_cast<std::size_t>(n);
  }
  // mkstemp makes the file 0600; give it the mode a plain create would have (0666 minus umask).
  const mode_t mask = ::umask(0);
  ::umask(mask);
  if (::fchmod(fd, 0666 & ~mask) != 0) fail("chmod");
  if (::fsync(fd) != 0) fail("fsync");
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    throw ReportError("cannot write " + path.string() + ": close: " + std::strerror(err));
  }
  if (::rename(temp.c_str(), target.c_str()) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    throw ReportError("cannot write " + path.string() + ": rename: " + std::strerror(err));
  }
}

}  // namespace mercurio::report
