"""The chat widget's theming and embedding: public config, admin settings, the embed snippet."""
