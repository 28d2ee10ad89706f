// NamespaceProxy: a Namespace hosted by the manager server (Python:
// manager.Namespace(); `ns.x` is get("x"), `ns.x = v` is set("x", v)).
// `ns.x += 1` is get then set -- two requests -- so it loses updates when
// processes interleave; do it under a manager Lock. Missing attribute:
// NotFound (AttributeError). See manager_client.h for common errors.
#pragma once

#include "manager_client.h"

#include <QCborMap>

namespace ipc::manager {

class NamespaceProxy : public detail::ProxyBase {
public:
    [[nodiscard]] Result<QCborValue> get(std::string_view attribute) const;
    [[nodiscard]] Result<QCborValue> get(std::string_view attribute, const QCborValue &fallback) const;
    [[nodiscard]] Result<void> set(std::string_view attribute, const QCborValue &value) const;
    [[nodiscard]] Result<void> remove(std::string_view attribute) const; // del ns.x
    [[nodiscard]] Result<QCborMap> attributes() const;                    // vars(ns)

private:
    friend class ManagerClient;
    using ProxyBase::ProxyBase;
};

} // namespace ipc::manager
