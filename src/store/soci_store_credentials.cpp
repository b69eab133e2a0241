// Login sessions and user tokens (as hashes), and the uuid lookups the HTTP API needs.
#include "store/query.hpp"
#include "store/rows.hpp"
#include "store/soci_store.hpp"

namespace provisio::store {

using sql::Binder;
using sql::guarded;
using sql::Lease;
using sql::Tx;

namespace {

template <typename Row>
Result<decltype(Row().get())> one_by_uuid(Lease& lease, const char* table, std::string_view uuid,
                                          std::string_view what) {
  Row row;
  Binder b(*lease);
  row.bind(b.statement());
  if (!b.query(std::string("SELECT ") + Row::kColumns + " FROM " + table +
               " WHERE uuid = " + b.add(std::string(uuid)))) {
    return make_error(ErrorCode::kNotFound, std::string(what) + " not found.");
  }
  return row.get();
}

struct TokenRow {
  static constexpr const char* kColumns = "id, user_id, name, token_hash, created_at";
  long long id = 0, user_id = 0, created = 0;
  std::string name, hash;
  void bind(soci::statement& st) {
    st.exchange(soci::into(id));
    st.exchange(soci::into(user_id));
    st.exchange(soci::into(name));
    st.exchange(soci::into(hash));
    st.exchange(soci::into(created));
  }
  UserToken get() const { return UserToken{id, user_id, name, hash, created}; }
};

}  // namespace

void SociStore::drop_credentials(Lease& lease, UserId user) {
  long long id = user;
  *lease << "DELETE FROM sessions WHERE user_id = :u", soci::use(id);
  *lease << "DELETE FROM user_tokens WHERE user_id = :u", soci::use(id);
}

Result<User> SociStore::find_user_by_uuid(std::string_view uuid) {
  return guarded([&]() -> Result<User> {
    Lease lease(*db_);
    return one_by_uuid<rows::UserRow>(lease, "users", uuid, "User");
  });
}

Result<Group> SociStore::find_group_by_uuid(std::string_view uuid) {
  return guarded([&]() -> Result<Group> {
    Lease lease(*db_);
    return one_by_uuid<rows::GroupRow>(lease, "user_groups", uuid, "Group");
  });
}

Status SociStore::create_session(const SessionRecord& s) {
  return guarded([&]() -> Status {
    Lease lease(*db_);
    Binder b(*lease);
    b.execute(
        "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at) "
        "VALUES (" +
        b.add(s.id_hash) + ", " + b.add(static_cast<long long>(s.user_id)) + ", " +
        b.add(s.csrf_token) + ", " + b.add(static_cast<long long>(s.created_at)) + ", " +
        b.add(static_cast<long long>(s.expires_at)) + ")");
    return {};
  });
}

Result<SessionRecord> SociStore::find_session(std::string_view id_hash, Millis now) {
  return guarded([&]() -> Result<SessionRecord> {
    Lease lease(*db_);
    SessionRecord s;
    long long user = 0, created = 0, expires = 0;
    const std::string hash(id_hash);
    *lease << "SELECT user_id, csrf_token, created_at, expires_at FROM sessions "
              "WHERE id_hash = :h",
        soci::use(hash), soci::into(user), soci::into(s.csrf_token), soci::into(created),
        soci::into(expires);
    if (!lease->got_data()) return make_error(ErrorCode::kNotFound, "No such session.");
    if (expires <= now) {
      *lease << "DELETE FROM sessions WHERE id_hash = :h", soci::use(hash);
      return make_error(ErrorCode::kNotFound, "The session has expired.");
    }
    s.id_hash = hash;
    s.user_id = user;
    s.created_at = created;
    s.expires_at = expires;
    return s;
  });
}

Status SociStore::delete_session(std::string_view id_hash) {
  return guarded([&]() -> Status {
    Lease lease(*db_);
    const std::string hash(id_hash);
    *lease << "DELETE FROM sessions WHERE id_hash = :h", soci::use(hash);
    return {};
  });
}

Status SociStore::delete_user_credentials(UserId user) {
  return guarded([&]() -> Status {
    Lease lease(*db_);
    Tx tx(lease);
    drop_credentials(lease, user);
    tx.commit();
    return {};
  });
}

Status SociStore::delete_sessions_of(UserId user, std::optional<std::string> keep_id_hash) {
  return guarded([&]() -> Status {
    Lease lease(*db_);
    Binder b(*lease);
    std::string sql = "DELETE FROM sessions WHERE user_id = " + b.add(static_cast<long long>(user));
    if (keep_id_hash) sql += " AND id_hash <> " + b.add(*keep_id_hash);
    b.execute(sql);
    return {};
  });
}

Status SociStore::save_oauth_state(std::string_view state_hash, Millis expires_at, Millis now) {
  return guarded([&]() -> Status {
    Lease lease(*db_);
    Tx tx(lease);
    Binder sweep(*lease);
    sweep.execute("DELETE FROM oauth_states WHERE expires_at < " +
                  sweep.add(static_cast<long long>(now)));
    Binder b(*lease);
    b.execute("INSERT INTO oauth_states (state_hash, expires_at) VALUES (" +
              b.add(std::string(state_hash)) + ", " + b.add(static_cast<long long>(expires_at)) +
              ")");
    tx.commit();
    return {};
  });
}

Result<bool> SociStore::consume_oauth_state(std::string_view state_hash, Millis now) {
  return guarded([&]() -> Result<bool> {
    Lease lease(*db_);
    Binder b(*lease);
    // One statement: of two callbacks racing with the same state, one deletes the row.
    return b.execute(
               "DELETE FROM oauth_states WHERE state_hash = " + b.add(std::string(state_hash)) +
               " AND expires_at >= " + b.add(static_cast<long long>(now))) == 1;
  });
}

Result<UserToken> SociStore::create_user_token(const UserToken& token) {
  return guarded([&]() -> Result<UserToken> {
    Lease lease(*db_);
    Binder b(*lease);
    UserToken t = token;
    if (t.created_at == 0) t.created_at = now_ms();
    b.execute("INSERT INTO user_tokens (user_id, name, token_hash, created_at) VALUES (" +
              b.add(static_cast<long long>(t.user_id)) + ", " + b.add(t.name) + ", " +
              b.add(t.token_hash) + ", " + b.add(static_cast<long long>(t.created_at)) + ")");
    long long id = 0;
    *lease << "SELECT id FROM user_tokens WHERE token_hash = :h", soci::use(t.token_hash),
        soci::into(id);
    t.id = id;
    return t;
  });
}

Result<UserToken> SociStore::find_user_token(std::string_view token_hash) {
  return guarded([&]() -> Result<UserToken> {
    Lease lease(*db_);
    TokenRow row;
    Binder b(*lease);
    row.bind(b.statement());
    if (!b.query(std::string("SELECT ") + TokenRow::kColumns +
                 " FROM user_tokens WHERE token_hash = " + b.add(std::string(token_hash)))) {
      return make_error(ErrorCode::kNotFound, "No such token.");
    }
    return row.get();
  });
}

Result<std::vector<UserToken>> SociStore::list_user_tokens(UserId user) {
  return guarded([&]() -> Result<std::vector<UserToken>> {
    Lease lease(*db_);
    TokenRow row;
    Binder b(*lease);
    row.bind(b.statement());
    std::vector<UserToken> out;
    if (b.query(std::string("SELECT ") + TokenRow::kColumns + " FROM user_tokens WHERE user_id = " +
                b.add(static_cast<long long>(user)) + " ORDER BY name")) {
      do {
        out.push_back(row.get());
      } while (b.statement().fetch());
    }
    return out;
  });
}

Status SociStore::delete_user_token(UserId user, std::string_view name) {
  return guarded([&]() -> Status {
    Lease lease(*db_);
    Binder b(*lease);
    if (b.execute("DELETE FROM user_tokens WHERE user_id = " + b.add(static_cast<long long>(user)) +
                  " AND name = " + b.add(std::string(name))) == 0) {
      return make_error(ErrorCode::kNotFound, "No token named '" + std::string(name) + "'.");
    }
    return {};
  });
}

}  // namespace provisio::store
