#include "graphql_analysis.hpp"

#include <algorithm>
#include <climits>
#include <set>

namespace provisio::sim::graphql {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

// A JSON value as text; invalid UTF-8 (a string literal may hold any bytes) is replaced.
std::string text_of(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string literal_text(const Value& v) {
  switch (v.kind) {
    case Value::Kind::kNull:
      return "null";
    case Value::Kind::kInt:
      return std::to_string(v.int_value);
    case Value::Kind::kFloat:
      return json(v.float_value).dump();
    case Value::Kind::kString:
      return json(v.text).dump(-1, ' ', false, json::error_handler_t::replace);
    case Value::Kind::kBoolean:
      return v.bool_value ? "true" : "false";
    case Value::Kind::kEnum:
      return v.text;
    case Value::Kind::kVariable:
      return "$" + v.text;
    case Value::Kind::kList: {
      std::string out = "[";
      for (std::size_t i = 0; i < v.items.size(); ++i) {
        out += (i ? ", " : "") + literal_text(v.items[i]);
      }
      return out + "]";
    }
    case Value::Kind::kObject: {
      std::string out = "{";
      for (std::size_t i = 0; i < v.fields.size(); ++i) {
        out += (i ? ", " : "") + v.fields[i].name + ": " + literal_text(v.fields[i].value);
      }
      return out + "}";
    }
  }
  return "";
}

// The type inside a list or non-null wrapper, as written: "[ID!]!" -> "[ID!]" -> "ID!" -> "ID".
bool non_null(std::string_view t) { return !t.empty() && t.back() == '!'; }
std::string_view nullable(std::string_view t) {
  return non_null(t) ? t.substr(0, t.size() - 1) : t;
}
std::string_view item_type(std::string_view t) {
  const std::string_view n = nullable(t);
  return n.substr(1, n.size() - 2);
}

// A JSON value (from variables, or a converted literal) coerced to `type`; an explanation of
// what is wrong otherwise. `enum_literal`: the value was an enum literal (literals only).
std::optional<std::string> coerce(const json& in, std::string_view type, json& out) {
  if (in.is_null()) {
    if (non_null(type)) return "Expected value to not be null";
    out = nullptr;
    return std::nullopt;
  }
  const std::string_view t = nullable(type);
  if (is_list_type(t)) {
    out = json::array();
    if (in.is_array()) {
      for (const json& item : in) {
        json c;
        if (auto bad = coerce(item, item_type(type), c)) return bad;
        out.push_back(std::move(c));
      }
    } else {
      json c;
      if (auto bad = coerce(in, item_type(type), c)) return bad;
      out.push_back(std::move(c));
    }
    return std::nullopt;
  }
  const std::string name(t);
  const TypeSpec* spec = find_type(name);
  if (spec == nullptr) return "Unknown type " + name;
  if (spec->kind == TypeKind::kEnum) {
    if (!in.is_string() || !spec->has_value(in.get<std::string>())) {
      return "Expected \"" + (in.is_string() ? in.get<std::string>() : text_of(in)) +
             "\" to be one of: " + [&] {
               std::string all;
               for (const auto& v : spec->enum_values) all += (all.empty() ? "" : ", ") + v;
               return all;
             }();
    }
    out = in;
    return std::nullopt;
  }
  if (name == "Int") {
    if (!in.is_number_integer() || in.get<std::int64_t>() > INT_MAX ||
        in.get<std::int64_t>() < INT_MIN) {
      return "Could not coerce value " + text_of(in) + " to Int";
    }
  } else if (name == "Float") {
    if (!in.is_number()) return "Could not coerce value " + text_of(in) + " to Float";
  } else if (name == "Boolean") {
    if (!in.is_boolean()) return "Could not coerce value " + text_of(in) + " to Boolean";
  } else if (name == "ID") {
    if (in.is_number_integer()) {
      out = std::to_string(in.get<std::int64_t>());
      return std::nullopt;
    }
    if (!in.is_string()) return "Could not coerce value " + text_of(in) + " to ID";
  } else if (!in.is_string()) {  // String, Time, MemberRoleID
    return "Could not coerce value " + text_of(in) + " to " + name;
  }
  out = in;
  return std::nullopt;
}

class Analyzer {
 public:
  Analyzer(const Operation& op, const json& variables) : op_(op), given_(variables) {}

  tl::expected<Analysis, std::vector<QueryError>> run() {
    out_.operation = &op_;
    if (op_.type != "query") {
      add({"gitlab-sim simulates queries only, not " + op_.type + "s", op_.location, nullptr,
           nullptr});
      return tl::unexpected(errors_);
    }
    declare_variables();
    if (!errors_.empty()) return tl::unexpected(errors_);
    const TypeSpec* query = find_type("Query");
    check_selections(op_.selections, *query, ordered_json::array({operation_label()}), 1);
    for (const auto& [name, def] : declared_) {
      if (used_.count(name) == 0) {
        add({"Variable $" + name + " is declared by " + operation_label() + " but not used",
             def->location, ordered_json::array({operation_label()}),
             ordered_json{{"code", "variableNotUsed"}, {"variableName", name}}});
      }
    }
    if (!errors_.empty()) return tl::unexpected(errors_);
    for (const Field& f : op_.selections) out_.complexity += complexity(f);
    return std::move(out_);
  }

 private:
  std::string operation_label() const {
    return op_.name.empty() ? "anonymous query" : "query " + op_.name;
  }

  void add(QueryError e) { errors_.push_back(std::move(e)); }

  void declare_variables() {
    for (const VariableDefinition& def : op_.variables) {
      const std::string spelled = def.type.spelling();
      const TypeSpec* type = find_type(named_type(spelled));
      if (type == nullptr || type->kind == TypeKind::kObject) {
        add({named_type(spelled) + " isn't a defined input type (on $" + def.name + ")",
             def.location, ordered_json::array({operation_label()}),
             ordered_json{{"code", "variableRequiresValidType"},
                          {"typeName", named_type(spelled)},
                          {"variableName", def.name}}});
        continue;
      }
      declared_[def.name] = &def;
      json provided;
      bool has = given_.is_object() && given_.contains(def.name);
      if (has) {
        provided = given_.at(def.name);
      } else if (def.default_value) {
        provided = literal_json(*def.default_value);
        has = true;
      }
      if (!has && !non_null(spelled)) continue;  // absent, and allowed to be
      json coerced;
      if (auto bad = coerce(provided, spelled, coerced)) {
        add({"Variable $" + def.name + " of type " + spelled + " was provided invalid value",
             def.location, nullptr,
             ordered_json{
                 {"value", provided},
                 {"problems", ordered_json::array({ordered_json{{"path", ordered_json::array()},
                                                                {"explanation", *bad}}})}}});
        continue;
      }
      values_[def.name] = std::move(coerced);
    }
  }

  // A literal as JSON (variables substituted; an absent optional variable is null).
  json literal_json(const Value& v) {
    switch (v.kind) {
      case Value::Kind::kNull:
        return nullptr;
      case Value::Kind::kInt:
        return v.int_value;
      case Value::Kind::kFloat:
        return v.float_value;
      case Value::Kind::kString:
      case Value::Kind::kEnum:
        return v.text;
      case Value::Kind::kBoolean:
        return v.bool_value;
      case Value::Kind::kVariable: {
        used_.insert(v.text);
        const auto it = values_.find(v.text);
        return it == values_.end() ? json() : it->second;
      }
      case Value::Kind::kList: {
        json out = json::array();
        for (const Value& item : v.items) out.push_back(literal_json(item));
        return out;
      }
      case Value::Kind::kObject: {
        json out = json::object();
        for (const auto& [k, item] : v.fields) out[k] = literal_json(item);
        return out;
      }
    }
    return nullptr;
  }

  // Literal kinds against the argument type, as GraphQL's validation does: an enum argument
  // takes enum literals, not strings; a string argument takes strings, not enums.
  bool literal_fits(const Value& v, std::string_view type) {
    if (v.kind == Value::Kind::kVariable) return true;
    if (v.kind == Value::Kind::kNull) return !non_null(type);
    const std::string_view t = nullable(type);
    if (is_list_type(t)) {
      if (v.kind != Value::Kind::kList) return literal_fits(v, item_type(type));
      return std::all_of(v.items.begin(), v.items.end(),
                         [&](const Value& item) { return literal_fits(item, item_type(type)); });
    }
    const TypeSpec* spec = find_type(std::string(t));
    if (spec == nullptr) return false;
    if (spec->kind == TypeKind::kEnum) {
      return v.kind == Value::Kind::kEnum && spec->has_value(v.text);
    }
    if (t == "Int")
      return v.kind == Value::Kind::kInt && v.int_value <= INT_MAX && v.int_value >= INT_MIN;
    if (t == "Float") return v.kind == Value::Kind::kInt || v.kind == Value::Kind::kFloat;
    if (t == "Boolean") return v.kind == Value::Kind::kBoolean;
    if (t == "ID") return v.kind == Value::Kind::kString || v.kind == Value::Kind::kInt;
    return v.kind == Value::Kind::kString;
  }

  void check_selections(const std::vector<Field>& selections, const TypeSpec& type,
                        const ordered_json& path, int depth) {
    out_.depth = std::max(out_.depth, depth);
    std::map<std::string, const Field*> by_key;
    for (const Field& f : selections) {
      ordered_json here = path;
      here.push_back(f.response_key());
      const FieldSpec* spec = type.field(f.name);
      if (spec == nullptr) {
        add({"Field '" + f.name + "' doesn't exist on type '" + type.name + "'", f.location, here,
             ordered_json{
                 {"code", "undefinedField"}, {"typeName", type.name}, {"fieldName", f.name}}});
        continue;
      }
      if (const auto seen = by_key.find(f.response_key());
          seen != by_key.end() && seen->second->name != f.name) {
        add({"Field '" + f.response_key() + "' has a field conflict: " + seen->second->name +
                 " or " + f.name + "?",
             f.location, here,
             ordered_json{{"code", "fieldConflict"}, {"fieldName", f.response_key()}}});
        continue;
      }
      by_key[f.response_key()] = &f;
      BoundField bound{spec, json::object()};
      for (const Argument& a : f.arguments) {
        const ArgumentSpec* arg = spec->argument(a.name);
        if (arg == nullptr) {
          add({"Field '" + f.name + "' doesn't accept argument '" + a.name + "'", a.location, here,
               ordered_json{{"code", "argumentNotAccepted"},
                            {"name", f.name},
                            {"typeName", "Field"},
                            {"argumentName", a.name}}});
          continue;
        }
        if (!literal_fits(a.value, arg->type)) {
          add({"Argument '" + a.name + "' on Field '" + f.name + "' has an invalid value (" +
                   literal_text(a.value) + "). Expected type '" + arg->type + "'.",
               a.location, here,
               ordered_json{{"code", "argumentLiteralsIncompatible"},
                            {"typeName", "Field"},
                            {"argumentName", a.name}}});
          continue;
        }
        json coerced;
        const json raw = literal_json(a.value);
        if (raw.is_null() && a.value.kind == Value::Kind::kVariable &&
            declared_.count(a.value.text) == 0) {
          add({"Variable $" + a.value.text + " is used by " + operation_label() +
                   " but not declared",
               a.value.location, here,
               ordered_json{{"code", "variableNotDefined"}, {"variableName", a.value.text}}});
          continue;
        }
        if (auto bad = coerce(raw, arg->type, coerced)) {
          add({"Argument '" + a.name + "' on Field '" + f.name + "' has an invalid value (" +
                   literal_text(a.value) + "). Expected type '" + arg->type + "'.",
               a.location, here,
               ordered_json{{"code", "argumentLiteralsIncompatible"},
                            {"typeName", "Field"},
                            {"argumentName", a.name}}});
          continue;
        }
        bound.arguments[a.name] = std::move(coerced);
      }
      std::string missing;
      for (const ArgumentSpec& arg : spec->arguments) {
        if (bound.arguments.contains(arg.name)) continue;
        if (!arg.default_value.empty()) {
          json coerced;
          if (!coerce(json::parse(arg.default_value), arg.type, coerced)) {
            bound.arguments[arg.name] = std::move(coerced);
          }
        } else if (non_null(arg.type)) {
          missing += (missing.empty() ? "" : ", ") + arg.name;
        }
      }
      if (!missing.empty()) {
        add({"Field '" + f.name + "' is missing required arguments: " + missing, f.location, here,
             ordered_json{{"code", "missingRequiredArguments"},
                          {"className", "Field"},
                          {"name", f.name},
                          {"arguments", missing}}});
      }
      const TypeSpec* result = find_type(named_type(spec->type));
      if (result->kind == TypeKind::kObject) {
        if (f.selections.empty()) {
          add({"Field must have selections (field '" + f.name + "' returns " + spec->type +
                   " but has no selections. Did you mean '" + f.name + " { ... }'?)",
               f.location, here,
               ordered_json{{"code", "selectionMismatch"},
                            {"nodeName", "field '" + f.name + "'"},
                            {"typeName", spec->type}}});
        } else {
          check_selections(f.selections, *result, here, depth + 1);
        }
      } else if (!f.selections.empty()) {
        ordered_json names = ordered_json::array();
        for (const Field& s : f.selections) names.push_back(s.name);
        add({"Selections can't be made on scalars (field '" + f.name + "' returns " + spec->type +
                 " but has selections " +
                 names.dump(-1, ' ', false, ordered_json::error_handler_t::replace) + ")",
             f.location, here,
             ordered_json{{"code", "selectionMismatch"},
                          {"nodeName", "field '" + f.name + "'"},
                          {"typeName", spec->type}}});
      }
      out_.fields[&f] = std::move(bound);
    }
  }

  // GitLab's rule (graphql_schema.hpp, Types::BaseField#complexity_for).
  int complexity(const Field& f) const {
    const BoundField& b = out_.fields.at(&f);
    int child = 0;
    for (const Field& s : f.selections) child += complexity(s);
    switch (b.spec->complexity) {
      case Complexity::kPlain:
        return 1 + child;
      case Complexity::kConstant:
        return b.spec->constant + child;
      case Complexity::kResolver:
        break;
    }
    const json& args = b.arguments;
    const auto given = [&](const char* name) {
      return args.contains(name) && !args.at(name).is_null();
    };
    double c = child + 1;
    if (given("sort")) c += 1;
    if (given("search")) c += 5;
    if (b.spec->connection) {
      int limit = kMaxPageSize;
      for (const char* name : {"first", "last"}) {
        if (given(name)) limit = std::min(limit, args.at(name).get<int>());
      }
      c += c * (limit * 0.01);
    }
    return static_cast<int>(c);
  }

  const Operation& op_;
  const json& given_;
  std::map<std::string, const VariableDefinition*> declared_;
  std::map<std::string, json> values_;
  std::set<std::string> used_;
  std::vector<QueryError> errors_;
  Analysis out_;
};

}  // namespace

nlohmann::ordered_json QueryError::to_json() const {
  ordered_json e{{"message", message}};
  if (location) {
    e["locations"] =
        ordered_json::array({ordered_json{{"line", location->line}, {"column", location->column}}});
  }
  if (!path.is_null()) e["path"] = path;
  if (!extensions.is_null()) e["extensions"] = extensions;
  return e;
}

tl::expected<Analysis, std::vector<QueryError>> analyze(const Document& document,
                                                        const std::string& operation_name,
                                                        const nlohmann::json& variables) {
  const Operation* chosen = nullptr;
  if (!operation_name.empty()) {
    for (const Operation& op : document.operations) {
      if (op.name == operation_name) chosen = &op;
    }
    if (chosen == nullptr) {
      return tl::unexpected(std::vector<QueryError>{
          {"No operation named \"" + operation_name + "\"", std::nullopt, nullptr, nullptr}});
    }
  } else if (document.operations.size() == 1) {
    chosen = &document.operations.front();
  } else {
    return tl::unexpected(
        std::vector<QueryError>{{"An operation name is required", std::nullopt, nullptr, nullptr}});
  }
  return Analyzer(*chosen, variables).run();
}

}  // namespace provisio::sim::graphql
