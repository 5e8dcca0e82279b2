"""The demo knowledge base that ``baton demo`` seeds (idempotent: by title)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

DEMO_ARTICLES: tuple[tuple[str, list[str], str], ...] = (
    (
        "Returns and refunds",
        ["returns", "refunds"],
        """You can return any item within 30 days of delivery for a full refund, as long as it is unused and in its original packaging.

To return an item, open Orders in your account, choose the order, select "Return an item" and follow the steps. We email you a prepaid return label; drop the parcel at any post office or parcel locker.

Refunds go back to your original payment method within 5 business days of the item reaching our warehouse. You will get an email when the refund is issued.

Items marked as final sale, gift cards and personalised products cannot be returned. If an item arrived damaged or faulty, contact us within 14 days and we will replace it or refund it, including shipping.""",
    ),
    (
        "Shipping and delivery times",
        ["shipping", "delivery"],
        """Standard shipping takes 3-5 business days and is free on orders over $50; below that it costs $4.95. Express shipping takes 1-2 business days and costs $12.95.

Orders placed before 2 pm (Eastern time) on a business day ship the same day. We ship to the United States, Canada, the United Kingdom and the European Union.

International deliveries take 5-10 business days. Customs duties and import taxes, where they apply, are paid by the recipient on delivery.""",
    ),
    (
        "Tracking your order",
        ["orders", "tracking"],
        """As soon as your order ships we email you a tracking number. You can also find it under Orders in your account: choose the order and select "Track parcel".

Tracking can take up to 24 hours to show the first scan. If your parcel has not moved for 5 business days, or the tracking says delivered but you cannot find it, contact us and we will open an investigation with the carrier.""",
    ),
    (
        "Changing or cancelling an order",
        ["orders", "cancel", "change order", "order address"],
        """You can change the shipping address or cancel an order within 1 hour of placing it: open Orders in your account, choose the order and select "Change" or "Cancel order".

After an hour the order is already being packed and can no longer be changed or cancelled. You can still return it once it arrives; see Returns and refunds.""",
    ),
    (
        "Resetting your password",
        ["account", "password", "login"],
        """To reset your password, select "Sign in" and then "Forgot password?". Enter the email address of your account and we will send you a reset link that is valid for 1 hour.

If the email does not arrive within a few minutes, check your spam folder. The link can be used once; request a new one if it has expired. For your security our team can never see or tell you your password.""",
    ),
    (
        "Billing, payments and invoices",
        ["billing", "payments", "invoices"],
        """We accept Visa, Mastercard, American Express, PayPal and Apple Pay. Your card is charged when the order ships, not when you place it.

Invoices are available under Orders in your account: choose the order and select "Download invoice". To add a company name or VAT number to an invoice, update your billing details before placing the order.

If you see a charge you do not recognise, or were charged twice, contact us with the order number and the last four digits of the card and we will look into it within one business day.""",
    ),
    (
        "Updating your account details",
        ["account", "profile"],
        """You can change your name, email address, phone number and saved addresses under Account settings. Changing your email address sends a confirmation link to the new address.

To delete your account, select "Delete account" at the bottom of Account settings. Deleting an account is permanent and removes your order history.""",
    ),
)


async def seed(session: AsyncSession) -> None:
    from baton.knowledge.models import KnowledgeArticle
    from baton.knowledge.service import create_article

    existing = set((await session.scalars(select(KnowledgeArticle.title))).all())
    for title, tags, body in DEMO_ARTICLES:
        if title not in existing:
            await create_article(session, title=title, body=body, tags=tags)
