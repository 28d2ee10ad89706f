// Listener and Client: multiprocessing.connection's Listener / Client, on
// an AF_UNIX stream socket at a path. Every connection either side gets is
// a duplex Connection (pipe.h): send / recv / poll as with a Pipe.
//
//   Listener::listen(address, options)  binds and listens at address. An
//       empty address makes a fresh one in a private directory (Python:
//       Listener() picks one); address() says where. AlreadyExists when
//       something is at the path already (Python: EADDRINUSE) -- it is
//       never removed, it may be another program's.
//   accept(timeout)  the next client. With an authkey, only once the client
//       has proved it holds the same key and we have proved it to the
//       client (authentication.h, both ways as Python). A client that
//       fails is AuthenticationFailed (Python: AuthenticationError) and its
//       connection is closed; the listener goes on listening.
//   Client::connect(address, authkey)  the other side; NotFound when no
//       socket is at address, Closed when nobody listens on it any more,
//       AuthenticationFailed when either side refuses the other's key.
//   close() (and the destructor) stops listening and removes the socket
//       file -- and the private directory, if listen() made it -- as
//       Python's close() unlinks it. Connections already made go on.
//
// Where we differ from Python, deliberately: each frame of the handshake
// waits at most handshakeTimeout (a client that connects and says nothing
// cannot hold accept() forever), and accept()/connect take a timeout.
// The key is any bytes; empty means no authentication (Python: authkey=None).
// Both sides must agree: a Listener with a key and a Client without one
// fail the handshake when its timeout runs out.
//
// One process owns a Listener; a Connection it returns may be handed to a
// worker (SpawnOptions::inheritFds) before anything is received on it.
#pragma once

#include "pipe.h"
#include "posix_call.h"
#include "result.h"

#include <QByteArray>

#include <chrono>
#include <string>
#include <string_view>

namespace ipc {

struct ListenerOptions {
    QByteArray authkey;                                          // empty: no authentication
    int backlog = 16;                                            // Python's default is 1
    Duration handshakeTimeout = std::chrono::seconds(5);         // per handshake frame
    std::size_t maxMessageBytes = kMaxMessageBytes;              // of each accepted Connection
};

class Listener {
public:
    [[nodiscard]] static Result<Listener> listen(std::string_view address = {}, ListenerOptions options = {});

    Listener() = default;
    Listener(Listener &&other) noexcept;
    Listener &operator=(Listener &&other) noexcept;
    Listener(const Listener &) = delete;
    Listener &operator=(const Listener &) = delete;
    ~Listener();

    [[nodiscard]] Result<Connection> accept(Duration timeout = kForever);
    [[nodiscard]] const std::string &address() const noexcept { return m_address; }
    void close() noexcept;
    [[nodiscard]] bool isClosed() const noexcept { return m_fd < 0; }

private:
    int m_fd = -1;
    std::string m_address;
    std::string m_privateDirectory; // made by listen(); removed by close()
    ListenerOptions m_options;
};

struct ClientOptions {
    QByteArray authkey;
    Duration handshakeTimeout = std::chrono::seconds(5);
    std::size_t maxMessageBytes = kMaxMessageBytes;
};

class Client {
public:
    [[nodiscard]] static Result<Connection> connect(std::string_view address, const ClientOptions &options = {});
};

} // namespace ipc
