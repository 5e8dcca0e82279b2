"""Realtime: the Socket.IO server mounted beside Litestar, and one ``publish`` for api and worker."""
