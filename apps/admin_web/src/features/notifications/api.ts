// The caller's notifications and preferences over REST.
import type { components } from "../../api/schema";
import { api, ok } from "../../api/client";

type S = components["schemas"];
export type NotificationItem = S["NotificationOut"];
export type Preferences = S["PreferencesOut"];
export type PreferencesIn = S["PreferencesIn"];

export const notifications = {
  list: (unread: boolean) => ok(api.GET("/api/v1/notifications", { params: { query: { unread, limit: 30 } } })),
  unreadCount: () => ok(api.GET("/api/v1/notifications/unread-count")),
  read: (id: string) => ok(api.POST("/api/v1/notifications/{notification_id}/read", { params: { path: { notification_id: id } } })),
  readAll: () => ok(api.POST("/api/v1/notifications/read-all")),
  preferences: () => ok(api.GET("/api/v1/notifications/preferences")),
  savePreferences: (body: PreferencesIn) => ok(api.PUT("/api/v1/notifications/preferences", { body })),
};
