// The sync engine arrives with its own issue; this file keeps the layer's target in the build.
namespace provisio::sync {}
