"""The search-term vocabulary the sandbox ships (data only): popular search phrases per interest.

Keys are the interest names of `reporting/vocab.py` (INTERESTS); each list runs from the most to the
least popular phrase of that interest. Phrases are lower case. `terms/service.py` adds what the
sandbox's own content says (public Pin titles, public board names, advertisers' keywords) and derives
related and suggested terms from both. A phrase may sit under several interests.
"""

from __future__ import annotations

PHRASES: dict[str, tuple[str, ...]] = {
    "Animals": (
        "cute animals", "dogs", "cats", "puppies", "kittens", "funny animals", "animal drawings", "baby animals",
        "dog breeds", "cat memes", "horses", "wild animals", "animal photography", "dog training", "dog bed",
        "cat tree", "bunny", "birds", "aquarium ideas", "pet portraits",
    ),
    "Architecture": (
        "modern architecture", "architecture design", "house exterior", "modern house", "architecture sketch",
        "tiny house", "architecture drawing", "brick house", "facade design", "interior architecture",
        "mid century modern house", "cabin", "barn house", "architecture model", "gothic architecture",
        "villa design", "courtyard", "staircase design", "glass house", "landscape architecture",
    ),
    "Art": (
        "art", "drawing ideas", "painting ideas", "easy drawings", "watercolor painting", "acrylic painting",
        "sketchbook ideas", "art inspiration", "abstract art", "canvas painting", "portrait drawing",
        "wall art", "digital art", "art journal", "oil painting", "character design", "art prints",
        "pencil drawing", "rock painting", "street art",
    ),
    "Beauty": (
        "makeup", "makeup looks", "nails", "nail designs", "hairstyles", "skin care", "skincare routine",
        "eye makeup", "nail art", "hair color", "easy hairstyles", "natural makeup", "lipstick", "acrylic nails",
        "short hair", "braids", "eyeliner", "skin care products", "perfume", "summer nails",
    ),
    "Children's Fashion": (
        "kids fashion", "baby clothes", "kids outfits", "toddler outfits", "baby girl clothes", "boys clothes",
        "girls dresses", "baby shoes", "kids shoes", "school outfits", "toddler girl outfits", "baby boy outfits",
        "kids clothes", "matching family outfits", "kids costumes",
    ),
    "Design": (
        "graphic design", "logo design", "typography", "poster design", "design inspiration", "web design",
        "branding", "color palette", "font", "illustration", "packaging design", "ui design", "pattern design",
        "tattoo design", "fashion design", "minimalist design", "print design", "brand identity",
        "logo ideas", "design portfolio",
    ),
    "DIY and Crafts": (
        "diy", "crafts", "diy crafts", "diy projects", "crafts for kids", "diy home decor", "diy gifts",
        "paper crafts", "crochet", "knitting", "sewing projects", "diy room decor", "easy crafts", "embroidery",
        "macrame", "resin art", "diy christmas gifts", "crochet patterns", "upcycling", "candle making",
    ),
    "Education": (
        "teaching ideas", "classroom ideas", "study tips", "classroom decor", "homeschool", "math activities",
        "learning activities", "preschool activities", "study motivation", "reading activities",
        "science experiments", "teacher gifts", "worksheets", "note taking", "language learning",
        "kindergarten activities", "bullet journal", "study notes", "classroom organization", "flash cards",
    ),
    "Electronics": (
        "gaming setup", "phone case", "headphones", "desk setup", "iphone case", "smart home", "laptop",
        "speakers", "camera", "gaming pc", "led lights", "tech gadgets", "smart watch", "keyboard",
        "home theater",
    ),
    "Entertainment": (
        "movies", "funny memes", "books", "tv shows", "music", "books to read", "movie posters", "anime",
        "memes", "netflix", "concert outfit", "video games", "book quotes", "movie quotes", "band posters",
        "celebrities", "reading list", "board games", "cartoon", "podcasts",
    ),
    "Event Planning": (
        "party ideas", "birthday party ideas", "baby shower ideas", "party decorations", "birthday decorations",
        "birthday cake", "graduation party ideas", "bridal shower", "party food", "balloon decorations",
        "table decorations", "gender reveal", "first birthday", "party themes", "dessert table",
        "party favors", "event decor", "backdrop ideas", "picnic ideas", "surprise party",
    ),
    "Finance": (
        "saving money", "budgeting", "money saving tips", "budget planner", "personal finance", "investing",
        "side hustle", "make money online", "financial planning", "debt payoff", "savings challenge",
        "budget template", "passive income", "money management", "retirement planning",
    ),
    "Food and Drinks": (
        "recipes", "dinner recipes", "easy recipes", "healthy recipes", "dessert recipes", "chicken recipes",
        "dinner ideas", "breakfast ideas", "baking recipes", "cake", "cookies", "vegan recipes", "pasta recipes",
        "soup recipes", "crockpot recipes", "salad recipes", "healthy snacks", "meal prep", "cake recipes",
        "summer recipes", "chocolate cake", "appetizers", "keto recipes", "bread recipes", "easy dinner recipes",
    ),
    "Gardening": (
        "garden ideas", "gardening", "backyard ideas", "plants", "indoor plants", "flower garden",
        "vegetable garden", "garden design", "succulents", "landscaping ideas", "raised garden beds",
        "container gardening", "house plants", "herb garden", "garden decor", "front yard landscaping",
        "patio ideas", "flower beds", "plant care", "small garden ideas",
    ),
    "Health": (
        "healthy lifestyle", "self care", "mental health", "healthy eating", "weight loss", "self care ideas",
        "nutrition", "health tips", "meditation", "sleep tips", "wellness", "healthy habits", "anxiety relief",
        "detox", "gut health", "mindfulness", "stress relief", "healthy breakfast", "vitamins", "skin health",
    ),
    "Home Decor": (
        "home decor", "living room ideas", "bedroom ideas", "kitchen ideas", "bathroom ideas", "room decor",
        "living room decor", "bedroom decor", "home decor ideas", "kitchen decor", "apartment decor",
        "house design", "bathroom decor", "dream house", "interior design", "farmhouse decor", "cozy bedroom",
        "small living room", "boho decor", "wall decor", "christmas decor", "christmas decor ideas",
        "fall decor", "entryway ideas", "dining room decor",
    ),
    "Men's Fashion": (
        "mens fashion", "mens outfits", "men style", "mens casual outfits", "mens streetwear", "mens shoes",
        "mens hairstyles", "mens suits", "men fashion casual", "mens accessories", "sneakers", "mens watches",
        "mens jackets", "beard styles", "mens summer outfits", "clothes", "shoes", "workwear",
    ),
    "Parenting": (
        "parenting tips", "baby", "kids activities", "toddler activities", "baby nursery", "pregnancy",
        "baby names", "parenting hacks", "kids crafts", "nursery ideas", "baby hacks", "activities for kids",
        "toddler meals", "baby shower gifts", "kids room", "newborn photography", "family photos",
        "homeschool schedule", "kids lunch ideas", "potty training",
    ),
    "Quotes": (
        "quotes", "inspirational quotes", "motivational quotes", "love quotes", "life quotes", "positive quotes",
        "funny quotes", "quotes about love", "bible verses", "short quotes", "self love quotes",
        "quotes deep", "friendship quotes", "happy quotes", "affirmations", "workout motivation quotes",
    ),
    "Sport": (
        "sports", "sports bar", "sportswear", "soccer", "football", "basketball", "sports nutrition",
        "running", "sports wallpaper", "sports photography", "sports bra", "volleyball", "tennis", "golf",
        "baseball", "hiking", "cycling", "skiing", "surfing", "motor sports", "sports party", "sports logo",
    ),
    "Travel": (
        "travel", "travel destinations", "places to travel", "travel tips", "beautiful places", "vacation",
        "travel photography", "beach", "road trip", "travel packing", "europe travel", "summer vacation",
        "camping", "travel outfits", "bucket list", "travel itinerary", "beach vacation", "hotel",
        "italy travel", "travel journal", "paris", "national parks", "packing list",
    ),
    "Vehicles": (
        "cars", "dream cars", "classic cars", "luxury cars", "motorcycles", "jeep", "trucks", "sports cars",
        "car interior", "vintage cars", "car accessories", "camper van", "van life", "bikes", "car decor",
    ),
    "Wedding": (
        "wedding", "wedding dress", "wedding ideas", "wedding decorations", "wedding dresses", "wedding cake",
        "wedding hairstyles", "wedding flowers", "wedding photography", "bridesmaid dresses", "wedding invitations",
        "wedding themes", "engagement rings", "wedding venues", "wedding nails", "wedding makeup",
        "bridal bouquet", "wedding centerpieces", "rustic wedding", "wedding guest dress",
    ),
    "Women's Fashion": (
        "outfits", "outfit ideas", "fashion", "clothes", "cute outfits", "summer outfits", "casual outfits",
        "cute clothes", "shoes", "dresses", "fall outfits", "winter outfits", "aesthetic outfits",
        "spring outfits", "work outfits", "street style", "jeans", "boots", "handbags", "jewelry", "clothes hanger",
        "clothes organization", "clothes aesthetic", "summer dresses", "date night outfit",
    ),
    "Holidays and Events": (
        "christmas", "halloween", "christmas decorations", "halloween costumes", "christmas gifts", "thanksgiving",
        "easter", "valentines day", "christmas tree", "fall", "halloween decorations", "christmas crafts",
        "holiday decor", "new years eve", "birthday", "christmas cookies", "gift ideas", "fourth of july",
        "christmas wallpaper", "mothers day gifts",
    ),
    "Photography": (
        "photography", "photography ideas", "photo ideas", "portrait photography", "nature photography",
        "photography poses", "photo poses", "landscape photography", "couple photography", "photoshoot ideas",
        "family photography", "film photography", "product photography", "street photography", "photo editing",
        "instagram photo ideas", "senior pictures", "maternity photography", "wedding photos", "photo wall",
    ),
    "Science": (
        "science", "space", "astronomy", "science experiments", "biology", "chemistry", "physics", "galaxy",
        "science projects", "anatomy", "science fair projects", "planets", "science activities", "nature",
        "geology",
    ),
    "Technology": (
        "technology", "tech", "coding", "programming", "artificial intelligence", "app design", "gadgets",
        "web development", "cyber security", "computer", "robotics", "tech tips", "iphone tips", "apps",
        "future technology",
    ),
    "Fitness": (
        "workout", "workouts", "fitness", "workout plan", "workout motivation", "home workout", "yoga",
        "workout routines", "gym workout", "yoga workout", "ab workout", "fitness motivation", "one song workout",
        "leg workout", "hiit workout", "workout at home", "arm workout", "pilates", "glute workout",
        "stretching", "workout clothes", "workout outfits", "fitness plan", "running tips", "beginner workout",
    ),
    "Beverages": (
        "drinks", "cocktails", "smoothie recipes", "coffee", "summer drinks", "alcoholic drinks", "cocktail recipes",
        "smoothies", "tea", "mocktails", "healthy drinks", "coffee recipes", "iced coffee", "wine", "lemonade",
        "sangria", "margarita", "hot chocolate", "juice recipes", "protein shakes",
    ),
}
