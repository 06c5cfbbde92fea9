#include "oracle.hpp"

#include <cctype>
#include <vector>

namespace fuzz {
namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// A word that is an IPv4 address, network or range (digits, '.', '/', '-'):
// every number plain decimal. In any word, what follows '/' is a prefix
// length: plain decimal too.
void check_numbers(std::string_view word, std::string_view line)
{
    bool v4 = !word.empty();
    for (char c : word)
        if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.' && c != '/' && c != '-' && c != ':')
            v4 = false;
    if (v4 && word.find('.') == std::string_view::npos)
        v4 = false;
    bool addr = word.find_first_of(".:") != std::string_view::npos;
    for (size_t i = 0; i < word.size(); ++i) {
        bool run_start = std::isdigit(static_cast<unsigned char>(word[i])) &&
                         (i == 0 || !std::isalnum(static_cast<unsigned char>(word[i - 1])));
        bool after_slash = addr && i > 0 && word[i - 1] == '/';
        if (after_slash && !std::isdigit(static_cast<unsigned char>(word[i])))
            fail("ruleset: a prefix length that is not a plain number", line);
        if (run_start && (v4 || after_slash) && word[i] == '0' && i + 1 < word.size() &&
            std::isdigit(static_cast<unsigned char>(word[i + 1])))
            fail("ruleset: a number with a leading 0 (nft reads it as octal)", line);
    }
}

}  // namespace

void expect_nft_text(std::string_view ruleset, std::string_view table)
{
    for (unsigned char c : ruleset)
        if ((c < 0x20 && c != '\n') || c == 0x7f)
            fail("ruleset: a control byte", ruleset);
    int depth = 0;
    size_t pos = 0;
    while (pos < ruleset.size()) {
        size_t nl = ruleset.find('\n', pos);
        if (nl == std::string_view::npos)
            nl = ruleset.size();
        std::string_view line = ruleset.substr(pos, nl - pos);
        pos = nl + 1;
        std::string_view body = line;
        while (!body.empty() && body.front() == ' ')
            body.remove_prefix(1);
        if (depth == 0 && !body.empty()) {
            std::string t(table);
            bool ok = starts_with(body, "define ") || body == "add table " + t || body == "delete table " + t ||
                      body == "table " + t + " {" || body == "}" || starts_with(body, "flush set " + t + " ") ||
                      starts_with(body, "add element " + t + " ") ||
                      starts_with(body, "delete element " + t + " ");  // a link's update (link_update)
            if (!ok)
                fail("ruleset: a top-level line outside pppkit's table", line);
        }
        bool in_quote = false;
        std::string word;
        auto end_word = [&] {
            if (!word.empty())
                check_numbers(word, line);
            word.clear();
        };
        for (char c : line) {
            if (in_quote) {
                if (c == '"')
                    in_quote = false;
                else if (c == '\\')
                    fail("ruleset: a backslash inside a quoted string", line);
                continue;
            }
            switch (c) {
            case '"':
                end_word();
                in_quote = true;
                break;
            case '{':
                ++depth;
                end_word();
                break;
            case '}':
                if (--depth < 0)
                    fail("ruleset: a '}' closes more than was opened", line);
                end_word();
                break;
            case ';':
                if (!starts_with(body, "type "))
                    fail("ruleset: a ';' outside quotes starts a second statement", line);
                end_word();
                break;
            case '#': fail("ruleset: a '#' outside quotes comments out the rest of a rule", line);
            case ' ':
            case ',':
            case '\t': end_word(); break;
            default: word += c;
            }
        }
        end_word();
        if (in_quote)
            fail("ruleset: a quoted string runs past the end of its line", line);
    }
    if (depth != 0)
        fail("ruleset: unbalanced braces", ruleset);
}

}  // namespace fuzz
