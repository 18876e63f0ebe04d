// The one translation unit that compiles Asio, Asio SSL and Beast for the SDK and for every
// program that links it (BOOST_ASIO_SEPARATE_COMPILATION / BOOST_BEAST_SEPARATE_COMPILATION).
// It lives in its own library, pse_sdk_asio, so that the broker can link this same copy
// instead of compiling a second one: two copies in one binary would be an ODR violation.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
