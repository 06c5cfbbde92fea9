// Helpers shared by the unit tests.
#pragma once

#include <fstream>
#include <string>

namespace pppkit::test {

inline void write_file(const std::string& path, const std::string& text)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
}

}  // namespace pppkit::test
