#include "graphql_parser.hpp"

#include <cerrno>
#include <charconv>
#include <cstdlib>

namespace provisio::sim::graphql {
namespace {

enum class Tok {
  kEnd,
  kPunct,  // one of ! $ ( ) : = @ [ ] { } | & or "..."
  kName,
  kInt,
  kFloat,
  kString,
};

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;  // the name, the number as written, the decoded string, the punctuator
  Location location;
};

// graphql-ruby's token names, for error messages.
std::string token_name(const Token& t) {
  switch (t.kind) {
    case Tok::kEnd:
      return "EOF";
    case Tok::kInt:
      return "INT";
    case Tok::kFloat:
      return "FLOAT";
    case Tok::kString:
      return "STRING";
    case Tok::kName: {
      static const char* const kKeywords[] = {"query", "mutation",  "subscription", "fragment",
                                              "on",    "true",      "false",        "null",
                                              "type",  "interface", "enum",         "input"};
      for (const char* k : kKeywords) {
        if (t.text == k) {
          std::string upper = k;
          for (char& c : upper) c = static_cast<char>(c - 'a' + 'A');
          return upper;
        }
      }
      return "IDENTIFIER";
    }
    case Tok::kPunct:
      break;
  }
  if (t.text == "{") return "LCURLY";
  if (t.text == "}") return "RCURLY";
  if (t.text == "(") return "LPAREN";
  if (t.text == ")") return "RPAREN";
  if (t.text == "[") return "LBRACKET";
  if (t.text == "]") return "RBRACKET";
  if (t.text == ":") return "COLON";
  if (t.text == "$") return "VAR_SIGN";
  if (t.text == "@") return "DIR_SIGN";
  if (t.text == "=") return "EQUALS";
  if (t.text == "!") return "BANG";
  if (t.text == "...") return "ELLIPSIS";
  if (t.text == "|") return "PIPE";
  return "AMP";
}

bool name_start(char c) { return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool name_char(char c) { return name_start(c) || (c >= '0' && c <= '9'); }
bool digit(char c) { return c >= '0' && c <= '9'; }

// Appends the code point as UTF-8.
void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  tl::expected<Token, ParseError> next() {
    skip_ignored();
    Token t;
    t.location = {line_, column()};
    if (i_ >= s_.size()) return t;
    const char c = s_[i_];
    if (c == '.') {
      if (s_.substr(i_, 3) != "...") return fail("Unexpected character '.'", t.location);
      advance(3);
      t.kind = Tok::kPunct;
      t.text = "...";
      return t;
    }
    static constexpr std::string_view kPunct = "!$()[]{}:=@|&";
    if (kPunct.find(c) != std::string_view::npos) {
      advance(1);
      t.kind = Tok::kPunct;
      t.text = std::string(1, c);
      return t;
    }
    if (name_start(c)) {
      const std::size_t start = i_;
      while (i_ < s_.size() && name_char(s_[i_])) ++i_;
      t.kind = Tok::kName;
      t.text = std::string(s_.substr(start, i_ - start));
      return t;
    }
    if (c == '-' || digit(c)) return number(t);
    if (c == '"') return string(t);
    std::string shown =
        (static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f)
            ? std::string(1, c)
            : "\\x" + hex(static_cast<unsigned char>(c));
    return fail("Unexpected character '" + shown + "'", t.location);
  }

 private:
  static std::string hex(unsigned v) {
    static const char* const kDigits = "0123456789abcdef";
    return {kDigits[(v >> 4) & 0xF], kDigits[v & 0xF]};
  }
  int column() const { return static_cast<int>(i_ - line_start_) + 1; }
  void advance(std::size_t n) { i_ += n; }
  static tl::unexpected<ParseError> fail(std::string message, Location at) {
    return tl::unexpected(ParseError{std::move(message), at});
  }

  void skip_ignored() {
    while (i_ < s_.size()) {
      const char c = s_[i_];
      if (c == '\n') {
        ++i_;
        ++line_;
        line_start_ = i_;
      } else if (c == ' ' || c == '\t' || c == '\r' || c == ',') {
        ++i_;
      } else if (c == '#') {
        while (i_ < s_.size() && s_[i_] != '\n') ++i_;
      } else if (s_.substr(i_, 3) == "\xEF\xBB\xBF") {  // a byte order mark
        i_ += 3;
      } else {
        break;
      }
    }
  }

  tl::expected<Token, ParseError> number(Token t) {
    const std::size_t start = i_;
    if (s_[i_] == '-') ++i_;
    if (i_ >= s_.size() || !digit(s_[i_])) return fail("Unexpected character '-'", t.location);
    if (s_[i_] == '0' && i_ + 1 < s_.size() && digit(s_[i_ + 1])) {
      return fail("Invalid number: leading zero", t.location);
    }
    while (i_ < s_.size() && digit(s_[i_])) ++i_;
    bool is_float = false;
    if (i_ < s_.size() && s_[i_] == '.') {
      is_float = true;
      ++i_;
      if (i_ >= s_.size() || !digit(s_[i_])) return fail("Invalid number", t.location);
      while (i_ < s_.size() && digit(s_[i_])) ++i_;
    }
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      is_float = true;
      ++i_;
      if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
      if (i_ >= s_.size() || !digit(s_[i_])) return fail("Invalid number", t.location);
      while (i_ < s_.size() && digit(s_[i_])) ++i_;
    }
    if (i_ < s_.size() && (name_start(s_[i_]) || s_[i_] == '.')) {
      return fail("Invalid number", t.location);
    }
    t.kind = is_float ? Tok::kFloat : Tok::kInt;
    t.text = std::string(s_.substr(start, i_ - start));
    return t;
  }

  tl::expected<Token, ParseError> string(Token t) {
    if (s_.substr(i_, 3) == "\"\"\"") {
      return fail("Block strings are not simulated by gitlab-sim", t.location);
    }
    ++i_;  // the opening quote
    std::string out;
    while (true) {
      if (i_ >= s_.size() || s_[i_] == '\n' || s_[i_] == '\r') {
        return fail("Unterminated string", t.location);
      }
      const char c = s_[i_];
      if (c == '"') {
        ++i_;
        break;
      }
      if (c != '\\') {
        out += c;
        ++i_;
        continue;
      }
      if (i_ + 1 >= s_.size()) return fail("Unterminated string", t.location);
      const char e = s_[i_ + 1];
      i_ += 2;
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          if (i_ + 4 > s_.size()) return fail("Bad unicode escape", t.location);
          std::uint32_t cp = 0;
          const auto [end, ec] = std::from_chars(s_.data() + i_, s_.data() + i_ + 4, cp, 16);
          if (ec != std::errc() || end != s_.data() + i_ + 4) {
            return fail("Bad unicode escape", t.location);
          }
          i_ += 4;
          append_utf8(out, cp);
          break;
        }
        default:
          return fail("Bad escape sequence", t.location);
      }
    }
    t.kind = Tok::kString;
    t.text = std::move(out);
    return t;
  }

  std::string_view s_;
  std::size_t i_ = 0;
  int line_ = 1;
  std::size_t line_start_ = 0;
};

class Parser {
 public:
  explicit Parser(std::string_view source) : lexer_(source) {}

  tl::expected<Document, ParseError> document() {
    if (auto ok = advance(); !ok) return tl::unexpected(ok.error());
    Document doc;
    if (tok_.kind == Tok::kEnd) return fail_here("Unexpected end of document");
    while (tok_.kind != Tok::kEnd) {
      auto op = operation();
      if (!op) return tl::unexpected(op.error());
      doc.operations.push_back(std::move(*op));
    }
    return doc;
  }

 private:
  using Status = tl::expected<void, ParseError>;

  Status advance() {
    auto t = lexer_.next();
    if (!t) return tl::unexpected(t.error());
    tok_ = std::move(*t);
    return {};
  }

  tl::unexpected<ParseError> fail_here(const std::string& message) const {
    return tl::unexpected(ParseError{message, tok_.location});
  }
  // graphql-ruby's message for a token the grammar does not allow here.
  tl::unexpected<ParseError> unexpected() const {
    if (tok_.kind == Tok::kEnd) return fail_here("Unexpected end of document");
    const std::string shown = tok_.kind == Tok::kString ? "\"" + tok_.text + "\"" : tok_.text;
    return fail_here("Parse error on \"" + shown + "\" (" + token_name(tok_) + ") at [" +
                     std::to_string(tok_.location.line) + ", " +
                     std::to_string(tok_.location.column) + "]");
  }

  bool at_punct(std::string_view p) const { return tok_.kind == Tok::kPunct && tok_.text == p; }

  Status expect_punct(std::string_view p) {
    if (!at_punct(p)) return unexpected();
    return advance();
  }

  tl::expected<std::string, ParseError> name() {
    if (tok_.kind != Tok::kName) return unexpected();
    std::string out = tok_.text;
    if (auto ok = advance(); !ok) return tl::unexpected(ok.error());
    return out;
  }

  Status enter(const Location& at) {
    if (++depth_ > kMaxNesting) {
      return tl::unexpected(
          ParseError{"Query is nested deeper than " + std::to_string(kMaxNesting) + " levels", at});
    }
    return {};
  }

  tl::expected<Operation, ParseError> operation() {
    Operation op;
    op.location = tok_.location;
    if (at_punct("{")) {
      auto sel = selection_set();
      if (!sel) return tl::unexpected(sel.error());
      op.selections = std::move(*sel);
      return op;
    }
    if (tok_.kind == Tok::kName && tok_.text == "fragment") {
      return fail_here("Fragments are not simulated by gitlab-sim");
    }
    if (tok_.kind != Tok::kName ||
        (tok_.text != "query" && tok_.text != "mutation" && tok_.text != "subscription")) {
      return unexpected();
    }
    op.type = tok_.text;
    if (auto ok = advance(); !ok) return tl::unexpected(ok.error());
    if (tok_.kind == Tok::kName) op.name = tok_.text;
    if (!op.name.empty()) {
      if (auto ok = advance(); !ok) return tl::unexpected(ok.error());
    }
    if (at_punct("(")) {
      if (auto ok = advance(); !ok) return tl::unexpected(ok.error());
      if (at_punct(")")) return unexpected();
      while (!at_punct(")")) {
        auto def = variable_definition();
        if (!def) return tl::unexpected(def.error());
        op.variables.push_back(std::move(*def));
      }
      if (auto ok = advance(); !ok) return tl::unexpected(ok.error());
    }
    if (at_punct("@")) return fail_here("Directives are not simulated by gitlab-sim");
    auto sel = selection_set();
    if (!sel) return tl::unexpected(sel.error());
    op.selections = std::move(*sel);
    return op;
  }

  tl::expected<VariableDefinition, ParseError> variable_definition() {
    VariableDefinition def;
    def.location = tok_.location;
    if (auto ok = expect_punct("$"); !ok) return tl::unexpected(ok.error());
    auto n = name();
    if (!n) return tl::unexpected(n.error());
    def.name = std::move(*n);
    if (auto ok = expect_punct(":"); !ok) return tl::unexpected(ok.error());
    auto t = type_ref();
    if (!t) return tl::unexpected(t.error());
    def.type = std::move(*t);
    if (at_punct("=")) {
      if (auto ok = advance(); !ok) return tl::unexpected(ok.error());
      auto v = value(true);
      if (!v) return tl::unexpected(v.error());
      def.default_value = std::move(*v);
    }
    if (at_punct("@")) return fail_here("Directives are not simulated by gitlab-sim");
    return def;
  }

  tl::expected<TypeRef, ParseError> type_ref() {
    const Location at = tok_.location;
    if (auto ok = enter(at); !ok) return tl::unexpected(ok.error());
    TypeRef t;
    if (at_punct("[")) {
      if (auto ok = advance(); !ok) return tl::unexpected(ok.error());
      auto inner = type_ref();
      if (!inner) return tl::unexpected(inner.error());
      t.of = std::make_shared<TypeRef>(std::move(*inner));
      if (auto ok = expect_punct("]"); !ok) return tl::unexpected(ok.error());
    } else {
      auto n = name();
      if (!n) return tl::unexpected(n.error());
      t.name = std::move(*n);
    }
    if (at_punct("!")) {
      t.non_null = true;
      if (auto ok = advance(); !ok) return tl::unexpected(ok.error());
    }
    --depth_;
    return t;
  }

  tl::expected<std::vector<Field>, ParseError> selection_set() {
    const Location at = tok_.location;
    if (auto ok = expect_punct("{"); !ok) return tl::unexpected(ok.error());
    if (auto ok = enter(at); !ok) return tl::unexpected(ok.error());
    std::vector<Field> out;
    if (at_punct("}")) return unexpected();
    while (!at_punct("}")) {
      if (at_punct("...")) return fail_here("Fragments are not simulated by gitlab-sim");
      auto f = field();
      if (!f) return tl::unexpected(f.error());
      out.push_back(std::move(*f));
    }
    if (auto ok = advance(); !ok) return tl::unexpected(ok.error());
    --depth_;
    return out;
  }

  tl::expected<Field, ParseError> field() {
    Field f;
    f.location = tok_.location;
    auto first = name();
    if (!first) return tl::unexpected(first.error());
    if (at_punct(":")) {
      if (auto ok = advance(); !ok) return tl::unexpected(ok.error());
      auto second = name();
      if (!second) return tl::unexpected(second.error());
      f.alias = std::move(*first);
      f.name = std::move(*second);
    } else {
      f.name = std::move(*first);
    }
    if (at_punct("(")) {
      if (auto ok = advance(); !ok) return tl::unexpected(ok.error());
      if (at_punct(")")) return unexpected();
      while (!at_punct(")")) {
        Argument a;
        a.location = tok_.location;
        auto n = name();
        if (!n) return tl::unexpected(n.error());
        a.name = std::move(*n);
        if (auto ok = expect_punct(":"); !ok) return tl::unexpected(ok.error());
        auto v = value(false);
        if (!v) return tl::unexpected(v.error());
        a.value = std::move(*v);
        f.arguments.push_back(std::move(a));
      }
      if (auto ok = advance(); !ok) return tl::unexpected(ok.error());
    }
    if (at_punct("@")) return fail_here("Directives are not simulated by gitlab-sim");
    if (at_punct("{")) {
      auto sel = selection_set();
      if (!sel) return tl::unexpected(sel.error());
      f.selections = std::move(*sel);
    }
    return f;
  }

  // `constant`: a default value, where variables are not allowed.
  tl::expected<Value, ParseError> value(bool constant) {
    Value v;
    v.location = tok_.location;
    if (auto ok = enter(v.location); !ok) return tl::unexpected(ok.error());
    switch (tok_.kind) {
      case Tok::kEnd:
        return unexpected();
      case Tok::kInt: {
        v.kind = Value::Kind::kInt;
        const auto [end, ec] =
            std::from_chars(tok_.text.data(), tok_.text.data() + tok_.text.size(), v.int_value);
        if (ec != std::errc() || end != tok_.text.data() + tok_.text.size()) {
          // Out of range for 64 bits: kept as a float, which no Int argument accepts.
          v.kind = Value::Kind::kFloat;
          v.float_value = std::strtod(tok_.text.c_str(), nullptr);
        }
        break;
      }
      case Tok::kFloat:
        v.kind = Value::Kind::kFloat;
        v.float_value = std::strtod(tok_.text.c_str(), nullptr);
        break;
      case Tok::kString:
        v.kind = Value::Kind::kString;
        v.text = tok_.text;
        break;
      case Tok::kName:
        if (tok_.text == "true" || tok_.text == "false") {
          v.kind = Value::Kind::kBoolean;
          v.bool_value = tok_.text == "true";
        } else if (tok_.text == "null") {
          v.kind = Value::Kind::kNull;
        } else {
          v.kind = Value::Kind::kEnum;
          v.text = tok_.text;
        }
        break;
      case Tok::kPunct:
        if (at_punct("$") && !constant) {
          if (auto ok = advance(); !ok) return tl::unexpected(ok.error());
          auto n = name();
          if (!n) return tl::unexpected(n.error());
          v.kind = Value::Kind::kVariable;
          v.text = std::move(*n);
          --depth_;
          return v;
        }
        if (at_punct("[")) {
          v.kind = Value::Kind::kList;
          if (auto ok = advance(); !ok) return tl::unexpected(ok.error());
          while (!at_punct("]")) {
            auto item = value(constant);
            if (!item) return tl::unexpected(item.error());
            v.items.push_back(std::move(*item));
          }
          if (auto ok = advance(); !ok) return tl::unexpected(ok.error());
          --depth_;
          return v;
        }
        if (at_punct("{")) {
          v.kind = Value::Kind::kObject;
          if (auto ok = advance(); !ok) return tl::unexpected(ok.error());
          while (!at_punct("}")) {
            auto n = name();
            if (!n) return tl::unexpected(n.error());
            if (auto ok = expect_punct(":"); !ok) return tl::unexpected(ok.error());
            auto item = value(constant);
            if (!item) return tl::unexpected(item.error());
            v.fields.push_back(ObjectField{std::move(*n), std::move(*item)});
          }
          if (auto ok = advance(); !ok) return tl::unexpected(ok.error());
          --depth_;
          return v;
        }
        return unexpected();
    }
    if (auto ok = advance(); !ok) return tl::unexpected(ok.error());
    --depth_;
    return v;
  }

  Lexer lexer_;
  Token tok_;
  int depth_ = 0;
};

}  // namespace

std::string TypeRef::spelling() const {
  std::string out = of ? "[" + of->spelling() + "]" : name;
  if (non_null) out += "!";
  return out;
}

const Argument* Field::argument(std::string_view n) const {
  for (const Argument& a : arguments) {
    if (a.name == n) return &a;
  }
  return nullptr;
}

tl::expected<Document, ParseError> parse(std::string_view source) {
  return Parser(source).document();
}

}  // namespace provisio::sim::graphql
